# Messages shared by the record pages.

error-company-unknown = Choose a company you can see
error-contact-unknown = Choose a contact you can see
error-deal-unknown = Choose a deal you can see

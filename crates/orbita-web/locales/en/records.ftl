# Messages shared by the record pages.

error-company-unknown = Choose a company you can see
error-contact-unknown = Choose a contact you can see
error-deal-unknown = Choose a deal you can see
error-user-unknown = There is no such user
error-user-inactive = This user is deactivated

# Messages shared by the record pages.

error-company-unknown = Choose a company you can see
error-contact-unknown = Choose a contact you can see
error-deal-unknown = Choose a deal you can see
error-user-unknown = There is no such user
error-user-inactive = This user is deactivated
tokens-title = API tokens
tokens-intro = A token gives programs (your website, telephony, accounting) access to Orbita's API with your rights.
tokens-name = Name
tokens-created-at = Created
tokens-last-used = Last used
tokens-revoked = Revoked
tokens-revoke = Revoke
tokens-new = New token
tokens-create = Create token
tokens-created = Token created
tokens-created-hint = Copy it now: it will not be shown again.

# By identity id, as with the official provider:
terraform import infisical_identity.ci 8b0c2d4e-1f3a-4b5c-9d6e-7f8a9b0c1d2e

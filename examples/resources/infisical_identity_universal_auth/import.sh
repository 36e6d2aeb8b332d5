# By the id of the identity it is attached to:
terraform import infisical_identity_universal_auth.deployer 8b0c2d4e-1f3a-4b5c-9d6e-7f8a9b0c1d2e

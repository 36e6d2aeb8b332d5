# By folder id, as with the official provider:
terraform import infisical_secret_folder.api 6f0c2a4e-1d2b-4c3a-9e8f-0a1b2c3d4e5f

//! A local emulator of the Infisical API routes the provider uses.

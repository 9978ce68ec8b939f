"""Every state change of accounts: users and invitations."""

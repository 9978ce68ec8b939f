"""Every state change of the negotiation domain, one topic module each."""

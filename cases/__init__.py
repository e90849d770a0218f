"""Cases (ärenden): the case aggregate, the dnr counter and the application service."""

"""The case (ärende): its terms, the commands asked of it and the aggregate that decides them."""

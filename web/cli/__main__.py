"""``python -m diarium.web.cli``: the ``diarium`` command."""

from diarium.web.cli.main import main

main()

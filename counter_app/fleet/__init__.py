"""The fleet: one office mirror (a static folder on any web server) feeds every tablet.

publish.py builds the signed mirror, sync.py brings a tablet to it, cli.py is
`counter-app fleet ...`.  Qt-free.
"""

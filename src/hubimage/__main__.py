from hubimage.cli import entry

raise SystemExit(entry())

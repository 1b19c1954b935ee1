from hubimage.cli import main

raise SystemExit(main())

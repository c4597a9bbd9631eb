from cxgov.cli import main

raise SystemExit(main())

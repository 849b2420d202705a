raise SystemExit("this checker is broken on purpose")

complete --keep-order --exclusive --command integrations --arguments "(COMPLETE=fish integrations -- (commandline --current-process --tokenize --cut-at-cursor) (commandline --current-token))"

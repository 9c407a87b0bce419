"""One screen per file: roster, watch, grid, help queue, learner detail, and the small dialogs."""

// sinter_io: checkpoints, event files, plots (see frontend/include/sinter/io/).

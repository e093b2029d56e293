// sinter_nn: layers, models, losses, metrics (see frontend/include/sinter/nn/).

// Package imageio writes the pictures a training run leaves in its out dir: grids of
// images (generated samples in [-1, 1], real batches in uint8) and the loss plot, all as PNG
// and all written atomically, so that a viewer refreshing the file never sees half of one.
//
// Grids are laid out as torchvision.utils.make_grid does: cols images per row, pad pixels of
// black between them and around the border. Generated images map the fixed range [-1, 1]
// to [0, 255] (no per-batch min-max normalisation), so grids from different steps compare.
package imageio

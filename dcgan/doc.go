// Package dcgan is the model and its training: the DCGAN of Radford, Metz and Chintala
// (2015) as PyTorch's examples/dcgan builds it, a Backend interface with a CPU
// implementation (cpu.go, over package ref) and a CUDA one (cuda.go, build tag cuda, over
// package gpu), the training loop (train.go), checkpoints (checkpoint.go) and the metrics
// log (metrics.go).
//
// A reader new to the code can start at Generator and Discriminator (model.go), which list
// the layers for any image size, then CPU.Step (cpu.go), which is the whole training step
// in plain Go, then Run (train.go).
//
// # Glossary
//
//   - nz, ngf, ndf: the noise vector's length and the base feature counts of G and D, as in
//     the PyTorch example (Config.LatentDim, GenFeatures, DiscFeatures).
//   - step: one D update (on a real batch and a fake batch) then one G update, with the
//     non-saturating G loss; the step count is part of the state, "step" in a checkpoint.
//   - D(x), D(G(z)) before and after: the mean of sigmoid(D) on the real batch, on the fake
//     batch during the D update, and on the fake batch during the G update (the example's
//     D_x, D_G_z1, D_G_z2; metrics keys d_x, d_g_z1, d_g_z2).
//   - batch statistics, running statistics: batch norm normalising with the statistics of
//     the batch at hand (training, and how the example samples) or with the running
//     averages kept during training (netG.eval()); see BNMode.
//   - noise stream: Philox4x32-10 numbers indexed by (seed, stream, position), the same on
//     CPU and GPU, so that a seed names the same weights and noise on both; see backend.go.
//   - state: every tensor a resume needs, named as PyTorch's state_dict names them
//     ("netG.main.0.weight", "netD.main.1.running_mean") plus Adam's moments and the step.
//   - checkpoint, generator file: the full state with config and data position
//     (checkpoint.safetensors), and netG alone with the example's own key names
//     (generator.safetensors), which load_state_dict takes as it is.
//
// BUG(dcgan): One device per run. --device cuda:N trains on GPU N alone; there is no
// data-parallel training over several GPUs, and the CPU backend is one process.
//
// BUG(dcgan): Float32 and NCHW only: no mixed precision (TF32 convolutions on Ampere and
// newer with CUDAOptions.TF32 are the only reduced precision), no channels-last layout.
package dcgan

// Package eval tells whether a generator of MNIST-like digits is any good, and whether it
// has collapsed to a few modes.
//
// It holds a small LeNet-like classifier for 32×32 grayscale digits, built from the
// operations of package ref (convolutions, ReLU, GEMM) plus the two it adds here (a linear
// layer and softmax cross-entropy), trained on the embedded MNIST by TrainClassifier and
// shipped with the package (weights/lenet.safetensors, embedded). Over N generated images
// the classifier gives three numbers:
//
//   - FD: the Fréchet distance between Gaussians fitted to the classifier's penultimate
//     features of the generated images and of the MNIST test set, the way FID uses
//     Inception features. Lower is better.
//   - Score: exp(E_x[KL(p(y|x) ‖ p(y))]), the Inception score with this classifier. It
//     lies in [1, 10]: high when each image is clearly one digit and all digits appear.
//   - Coverage: the histogram of predicted classes, the number of classes it covers, and
//     its KL divergence to the uniform distribution (see Coverage). A collapsed generator
//     covers few classes and has a large KL.
//
// Numbers of this kind only read against a scale, so an Evaluator also reports a floor
// (MNIST train images against the test set: what a perfect generator would get with the
// same N) and a ceiling (uniform noise images).
//
// Images of any side are resized to 32 (bilinear, antialiased); color images are turned
// to gray with the ITU-R 601 luma weights, which leaves MNIST trained as RGB unchanged.
//
// The training report (WriteReport) gathers a run's config, sample grids, loss and metric
// plots and final numbers into one HTML file that needs nothing else to be read.
//
// BUG(eval): The numbers are for handwritten digits only. The classifier knows MNIST, so
// for a model of Fashion-MNIST, CIFAR-10 or faces they measure how much its images look
// like digits, not how good they are.
package eval

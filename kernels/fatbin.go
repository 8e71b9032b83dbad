//go:build cuda

package kernels

import _ "embed" // for Fatbin

// Fatbin is the compiled kernels, dcgan.fatbin as build.sh writes it: SASS for sm_75, sm_80,
// sm_86, sm_89 and sm_90 and PTX for compute_90. It is a build output, not in git: run
// kernels/build.sh before building with the cuda tag, or the build fails here.
//
//go:embed dcgan.fatbin
var Fatbin []byte

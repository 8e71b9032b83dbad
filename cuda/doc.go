// Package cuda is the thin layer between Go and NVIDIA's libraries: the CUDA driver API
// (through gorgonia.org/cu, plus the few calls it lacks written the same way) and our own
// cgo binding to cuDNN 9. It knows nothing about GANs.
//
// # Thread rule
//
// CUDA binds a context to an OS thread, and Go moves goroutines between threads. Open locks
// the calling goroutine to its OS thread (runtime.LockOSThread) and makes the device's
// primary context current there; that goroutine then owns the context and makes every
// other call of this package until (*Context).Close. Calls from another goroutine act on
// whatever context that thread has, usually none, and fail with CUDA_ERROR_INVALID_CONTEXT.
//
// # Ownership
//
// Every C object (device or pinned memory, stream, event, module, cuDNN handle and
// descriptors) has one Go owner whose Close frees it once; Close is safe to call twice.
// Nothing uses finalizers: defer Close right after a successful constructor.
//
// # Errors
//
// Every status a C call returns is checked. A failure becomes a *Error holding the library,
// the C function, the raw status, its name and the library's message; errors.Is matches it
// against the Err… sentinels (ErrOutOfMemory, …). The layer above adds operation and shapes.
//
// # Build
//
// Everything that calls C carries the build tag cuda, because gorgonia.org/cu calls cuInit in
// its package init and exits the process when no driver is present. Without the tag this
// package holds only the pure-Go planning (convolution shapes, algorithm choice, workspace
// sizes) and the error type, which plain `go test ./...` checks. See cgoflags.go for where
// the headers and libraries are looked up.
package cuda

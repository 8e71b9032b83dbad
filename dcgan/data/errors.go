package data

import (
	"errors"
	"io/fs"
)

// Sentinels. Every error this package returns that concerns a file names the file and, where
// it applies, matches one of these (or fs.ErrNotExist) under errors.Is.
var (
	// ErrFormat marks a file whose contents are not what its kind promises: wrong magic,
	// truncated or overlong data, an impossible header, an image that does not decode.
	ErrFormat = errors.New("data: malformed file")

	// ErrNoImages marks a source that holds no image at all.
	ErrNoImages = errors.New("data: no images")

	// ErrOptions marks a bad argument: an unknown kind, a non-positive size, a batch larger
	// than the data set.
	ErrOptions = errors.New("data: bad options")

	// ErrClosed is returned by Loader.Next after Close.
	ErrClosed = errors.New("data: loader closed")
)

// fileError is a one-line error about one file: "data: PATH: MSG[: CAUSE]".
type fileError struct {
	path string
	msg  string
	kind error // the sentinel it matches
	err  error // the underlying cause, if any
}

func (e *fileError) Error() string {
	s := "data: " + e.path + ": " + e.msg
	if e.err != nil {
		s += ": " + e.err.Error()
	}
	return s
}

func (e *fileError) Is(target error) bool { return target == e.kind }

func (e *fileError) Unwrap() error { return e.err }

// formatErr reports malformed contents of path.
func formatErr(path, msg string, cause error) error {
	return &fileError{path: path, msg: msg, kind: ErrFormat, err: cause}
}

// missingErr reports that path lacks something it should hold.
func missingErr(path, msg string) error {
	return &fileError{path: path, msg: msg, kind: fs.ErrNotExist}
}

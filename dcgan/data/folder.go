package data

import (
	"fmt"
	"image"
	_ "image/jpeg" // registers the JPEG decoder for image.Decode
	_ "image/png"  // registers the PNG decoder for image.Decode
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// maxPixels bounds the images a folder may hold (about 11585×11585), checked from the
// file's header before decoding, so a corrupt or hostile header cannot make us allocate
// gigabytes.
const maxPixels = 1 << 27

// folderSource is a list of image files, each decoded when it is read.
type folderSource struct {
	name           string
	files          []string
	size, channels int
}

func (s *folderSource) Name() string  { return s.name }
func (s *folderSource) Len() int      { return len(s.files) }
func (s *folderSource) Channels() int { return s.channels }
func (s *folderSource) Size() int     { return s.size }

// Read decodes, converts (NOTE [channel conversion]) and resizes (NOTE [resize like
// torchvision]) image i. Errors name the file.
func (s *folderSource) Read(i int, dst []uint8) error {
	if err := checkDst(s, i, dst); err != nil {
		return err
	}
	path := s.files[i]
	img, err := decodeImage(path)
	if err != nil {
		return err
	}
	planes, w, h := toPlanes(img, s.channels)
	rs := newResizer(w, h, s.size)
	in, out := w*h, s.size*s.size
	for c := range s.channels {
		rs.plane(planes[c*in:(c+1)*in], dst[c*out:(c+1)*out])
	}
	return nil
}

// decodeImage decodes one PNG or JPEG file after checking its header's dimensions.
func decodeImage(path string) (image.Image, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	defer f.Close()
	cfg, format, err := image.DecodeConfig(f)
	if err != nil {
		return nil, formatErr(path, "unreadable image", err)
	}
	if cfg.Width < 1 || cfg.Height < 1 || cfg.Width > maxPixels/cfg.Height {
		return nil, formatErr(path, fmt.Sprintf("%s image of %d×%d pixels: empty or too large",
			format, cfg.Width, cfg.Height), nil)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, formatErr(path, "rewinding", err)
	}
	img, _, err := image.Decode(f)
	if err != nil {
		return nil, formatErr(path, "unreadable image", err)
	}
	return img, nil
}

// isImageFile reports whether name has a PNG or JPEG extension.
func isImageFile(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".png", ".jpg", ".jpeg":
		return true
	}
	return false
}

// TODO: an unreadable image is found only when the loader reaches it, possibly an epoch into
// a run; a header-only pass at Open (image.DecodeConfig of every file) would catch most of
// them, at the cost of opening every file once at start-up (seconds for 200k files).

// openFolder lists the PNG and JPEG files under root, recursively, in filepath.WalkDir's
// order (names sorted within each directory). Other files are not images and are left
// out; an image file that does not decode is an error when it is read.
func openFolder(root string, size, channels int) (Source, error) {
	st, err := os.Stat(root)
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("%w: %s is not a directory", ErrOptions, root)
	}
	var files []string
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && isImageFile(p) {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("data: listing %s: %w", root, err)
	}
	if len(files) == 0 {
		return nil, &fileError{path: root, kind: ErrNoImages,
			msg: "no images (.png, .jpg, .jpeg) in this folder or below"}
	}
	return &folderSource{
		name:  fmt.Sprintf("folder %s (%d images)", root, len(files)),
		files: files,
		size:  size, channels: channels,
	}, nil
}

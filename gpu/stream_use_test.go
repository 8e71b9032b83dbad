package gpu

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"testing"
)

// TestCopiesUseTheDeviceStreams reads the Go files of this package and of dcgan (the users of
// Device, cuda-tagged files and tests included, which this test does not compile) and fails
// on a copy or memset queued on the legacy default stream, a literal nil. Device's streams
// are non-blocking: nothing orders their work after such a copy or such a copy after their
// work, so a layer may read its input before the upload lands and a download may read its
// output before the layer has run. This only shows on a GPU, and then not every time.
func TestCopiesUseTheDeviceStreams(t *testing.T) {
	// The cuda functions that queue on a stream, their last parameter.
	queued := map[string]bool{"Upload": true, "Download": true, "CopyHtoD": true,
		"CopyDtoH": true, "CopyDtoD": true, "Memset32": true}
	var files []string
	for _, glob := range []string{"*.go", "../dcgan/*.go"} {
		m, err := filepath.Glob(glob)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	fset := token.NewFileSet()
	checked := 0
	for _, name := range files {
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if pkg, ok := sel.X.(*ast.Ident); !ok || pkg.Name != "cuda" || !queued[sel.Sel.Name] {
				return true
			}
			checked++
			if id, ok := call.Args[len(call.Args)-1].(*ast.Ident); ok && id.Name == "nil" {
				t.Errorf("%s: cuda.%s on the legacy default stream (nil): pass the Device's "+
					"stream", fset.Position(call.Pos()), sel.Sel.Name)
			}
			return true
		})
	}
	if checked == 0 {
		t.Fatal("found no cuda copy calls: the file layout changed")
	}
}

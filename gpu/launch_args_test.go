package gpu

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestLaunchArgsMatchKernels reads the launchers in kernels.go (a cuda-tagged file this test
// does not compile) and the kernel signatures in ../kernels/*.cu, and checks that every
// launcher passes its kernel exactly as many arguments as it takes, each packed for the
// parameter's C type: ptr(…) for a pointer, i32(…) for an int, f32(…) for a float, a plain
// uint64 for an unsigned long long. cuda.Function.Launch refuses a wrong count, but only on
// a GPU; this finds it on any machine.
func TestLaunchArgsMatchKernels(t *testing.T) {
	params := kernelParams(t)
	names := kernelGoNames(t)

	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "kernels.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, decl := range f.Decls {
		fn, ok := decl.(*ast.FuncDecl)
		if !ok || fn.Body == nil {
			continue
		}
		lit, kernel := launchOf(fn)
		if lit == nil || kernel == "" {
			continue
		}
		name, ok := names[kernel]
		if !ok {
			continue // kernels.Fatbin and the like: not a launcher
		}
		want, ok := params[name]
		if !ok {
			t.Errorf("%s launches %s, which no .cu file defines", fn.Name.Name, name)
			continue
		}
		if a, ok := lit.Type.(*ast.ArrayType); !ok || a.Len == nil ||
			!isEllipsis(a.Len) {
			t.Errorf("%s: the argument array has a fixed length, so Launch would get its "+
				"zero padding as arguments too; write [...]uint64{…}", fn.Name.Name)
			continue
		}
		if len(lit.Elts) != len(want) {
			t.Errorf("%s passes %d arguments to %s, which takes %d (%s)", fn.Name.Name,
				len(lit.Elts), name, len(want), strings.Join(want, ", "))
			continue
		}
		for i, e := range lit.Elts {
			if got, w := packing(e), packingFor(want[i]); got != w {
				t.Errorf("%s: argument %d of %s is packed as %s, want %s for %q", fn.Name.Name,
					i, name, got, w, want[i])
			}
		}
		checked++
	}
	if checked < len(params) {
		t.Errorf("checked %d launchers, want one for each of the %d kernels", checked,
			len(params))
	}
}

// launchOf finds a launcher's argument array literal and the kernels.X it launches.
func launchOf(fn *ast.FuncDecl) (*ast.CompositeLit, string) {
	var lit *ast.CompositeLit
	kernel := ""
	ast.Inspect(fn.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CompositeLit:
			if a, ok := n.Type.(*ast.ArrayType); ok && isIdent(a.Elt, "uint64") {
				lit = n
			} else if _, ok := n.Type.(*ast.Ident); ok && len(n.Elts) > 0 {
				lit = n // a named array type: the test then says its length is fixed
			}
		case *ast.SelectorExpr:
			if isIdent(n.X, "kernels") && n.Sel.Name != "Kernel" && n.Sel.IsExported() &&
				!strings.HasSuffix(n.Sel.Name, "Threads") && n.Sel.Name != "NumKernels" {
				kernel = n.Sel.Name
			}
		}
		return true
	})
	return lit, kernel
}

func isEllipsis(e ast.Expr) bool {
	_, ok := e.(*ast.Ellipsis)
	return ok
}

func isIdent(e ast.Expr, name string) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == name
}

// packing names how a launcher packs one argument: the helper it calls, or "uint64".
func packing(e ast.Expr) string {
	if call, ok := e.(*ast.CallExpr); ok {
		if id, ok := call.Fun.(*ast.Ident); ok {
			return id.Name
		}
	}
	return "uint64"
}

// packingFor is the packing a C parameter declaration needs.
func packingFor(param string) string {
	switch {
	case strings.Contains(param, "*"):
		return "ptr"
	case strings.HasPrefix(param, "unsigned long long"):
		return "uint64"
	case strings.HasPrefix(param, "int"):
		return "i32"
	case strings.HasPrefix(param, "float"):
		return "f32"
	}
	return "unknown C type"
}

// kernelParams maps each kernel of ../kernels/*.cu to its parameter declarations.
func kernelParams(t *testing.T) map[string][]string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "kernels", "*.cu"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no .cu files: %v", err)
	}
	sig := regexp.MustCompile(
		`extern "C" __global__ void(?:\s+__launch_bounds__\(\w+\))?\s+(\w+)\(([^)]*)\)`)
	params := map[string][]string{}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range sig.FindAllStringSubmatch(string(src), -1) {
			var ps []string
			for _, p := range strings.Split(m[2], ",") {
				ps = append(ps, strings.Join(strings.Fields(strings.TrimPrefix(
					strings.TrimSpace(p), "const ")), " "))
			}
			params[m[1]] = ps
		}
	}
	return params
}

// kernelGoNames maps the Go names of ../kernels/names.go's kernels ("AdamUpdate") to the
// kernels' own ("adam_update"), from its kernelNames table.
func kernelGoNames(t *testing.T) map[string]string {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, filepath.Join("..", "kernels", "names.go"), nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]string{}
	ast.Inspect(f, func(n ast.Node) bool {
		kv, ok := n.(*ast.KeyValueExpr)
		if !ok {
			return true
		}
		key, ok1 := kv.Key.(*ast.Ident)
		val, ok2 := kv.Value.(*ast.BasicLit)
		if ok1 && ok2 && val.Kind == token.STRING {
			if s, err := strconv.Unquote(val.Value); err == nil {
				names[key.Name] = s
			}
		}
		return true
	})
	if len(names) == 0 {
		t.Fatal("no kernel names found in names.go")
	}
	return names
}

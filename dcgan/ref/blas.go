package ref

import (
	"fmt"
	"strconv"
)

// checkGemm panics when the matrices cannot hold the shapes Sgemm was asked for; a wrong
// size here is a bug in the caller, and C code would otherwise read past the slices.
func checkGemm(transA, transB bool, m, n, k, la, lda, lb, ldb, lc, ldc int) {
	ar, ac := m, k
	if transA {
		ar, ac = k, m
	}
	br, bc := k, n
	if transB {
		br, bc = n, k
	}
	if m < 0 || n < 0 || k < 0 {
		panic(fmt.Sprintf("ref: sgemm negative size m=%d n=%d k=%d", m, n, k))
	}
	need := func(name string, rows, cols, ld, have int) {
		if ld < max(cols, 1) {
			panic(fmt.Sprintf("ref: sgemm %s: ld %d < %d columns", name, ld, cols))
		}
		if rows > 0 && cols > 0 && have < (rows-1)*ld+cols {
			panic(fmt.Sprintf("ref: sgemm %s: %d elements cannot hold %d×%d with ld %d",
				name, have, rows, cols, ld))
		}
	}
	need("a", ar, ac, lda, la)
	need("b", br, bc, ldb, lb)
	need("c", m, n, ldc, lc)
}

func itoa(i int) string { return strconv.Itoa(i) }

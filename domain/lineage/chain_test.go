package lineage_test

import "github.com/reptidex/reptidex/domain/lineage"

// twoWideChain is the pathological pedigree of n animals (n even, at least 4): two
// founders, then pairs where M_k = M_{k-1} × F_{k-1} and F_k = M_{k-2} × F_{k-1}. Every
// animal descends from nearly all older ones, so each distinct pairing's ancestor set is the
// whole chain before it and the cost of F over the whole pedigree grows with n². Males have
// odd IDs, females even ones; the last male and female are n-1 and n.
func twoWideChain(n int) []lineage.Animal {
	animals := []lineage.Animal{rec(1, 0, 0), rec(2, 0, 0), rec(3, 1, 2), rec(4, 0, 2)}
	for k := 2; len(animals) < n; k++ {
		m, f := int64(2*k+1), int64(2*k+2)
		animals = append(animals, rec(m, m-2, f-2), rec(f, m-4, f-2))
	}
	return animals
}

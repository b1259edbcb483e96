package lineage_test

import (
	"fmt"

	"github.com/reptidex/reptidex/domain/lineage"
)

func ExamplePedigree_Coancestry() {
	// Two clutch mates (3 and 4) of the same pair, and an unrelated female (5).
	p, err := lineage.NewPedigree([]lineage.Animal{
		{ID: 1}, {ID: 2}, {ID: 5},
		{ID: 3, Sire: 1, Dam: 2},
		{ID: 4, Sire: 1, Dam: 2},
	})
	if err != nil {
		panic(err)
	}
	sibs, _ := p.Coancestry(3, 4)
	outcross, _ := p.Coancestry(3, 5)
	pci, _ := p.Completeness(3, 5)
	fmt.Printf("F of a 3 × 4 clutch: %.4f\n", sibs)
	fmt.Printf("F of a 3 × 5 clutch: %.4f\n", outcross)
	fmt.Printf("5-generation completeness of 3: %.2f\n", pci)
	// Output:
	// F of a 3 × 4 clutch: 0.2500
	// F of a 3 × 5 clutch: 0.0000
	// 5-generation completeness of 3: 0.20
}

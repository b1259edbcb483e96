// Package lineage computes pedigree statistics for breeding animals: Wright's coefficient of
// inbreeding (F) of one animal or of a whole population, the coancestry of a planned pairing
// (the F its offspring would have) and MacCluer's pedigree completeness index. It is pure:
// no I/O, no database; callers load the ancestor closure of the animals they ask about.
//
// Inbreeding is exact: it is computed from the decomposition A = TDT' of the numerator
// relationship matrix with the algorithm of Meuwissen & Luo (1992, Genet. Sel. Evol. 24:305),
// ordering ancestors by their longest ancestral path as in Sargolzaei & Iwaisaki (2005,
// Anim. Sci. J. 76:401, "Comparison of four direct algorithms for computing inbreeding
// coefficients") so that no sorting is needed, and computing each distinct
// sire × dam pair only once (full sibs share F). Unknown parents are taken as unrelated,
// non-inbred founders.
//
// Simulate builds a deterministic synthetic population (breeders, clutches, trades between
// organisations and deliberate close matings) for benchmarks and load generators.
package lineage

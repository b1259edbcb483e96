package imports

import (
	"fmt"
	"slices"
	"strings"

	"github.com/reptidex/reptidex/domain/genetics"
)

// Checked is a file's records after the checks across rows: those that can go in, parents
// before their offspring, and the problems of the others, by row.
type Checked struct {
	// Ordered are the records that passed, each after the records of the file that are its
	// parents.
	Ordered []Record
	// Problems are every problem across rows, each naming its row.
	Problems []Problem
	// External are the parents named by records that no row of the file holds: they must be
	// animals already recorded (the organization's, by breeder ID, or anyone's public one, by
	// ReptiDex ID), which the import looks up.
	External []string
}

// Check checks the records across rows: a key or a breeder ID on two rows (the later is
// refused), an animal
// named as its own parent, a parent of the file of the wrong sex or species or not hatched
// before its offspring, and parents that make a cycle (each row of it is refused). A row
// whose parent in the file is refused is refused too, as it cannot go in whole: here, or
// already when its row was read (refused: the line of each such row, by key). sireHeader and
// damHeader name the parents' columns in the problems.
func Check(records []Record, refused map[string]int, sireHeader, damHeader string) Checked {
	var c Checked
	byKey := map[string]int{}
	bad := map[int]bool{}
	refuse := func(i int, col, value, problem string) {
		bad[i] = true
		c.Problems = append(c.Problems, Problem{Line: records[i].Line, Column: col, Value: value, Problem: problem})
	}
	byBreederID := map[string]int{}
	for i, r := range records {
		if j, dup := byKey[r.Key]; dup {
			refuse(i, "", r.Key, fmt.Sprintf("the ID %s is also on line %d; each animal is one row", r.Key, records[j].Line))
			continue
		}
		byKey[r.Key] = i
		if j, dup := byBreederID[r.BreederID]; dup {
			refuse(i, "", r.BreederID, fmt.Sprintf("the breeder ID %s is also on line %d; each animal is one row", r.BreederID, records[j].Line))
			continue
		}
		byBreederID[r.BreederID] = i
	}
	external := map[string]bool{}
	for i, r := range records {
		if bad[i] {
			continue
		}
		for _, p := range []struct {
			key, role, header string
			want              genetics.Sex
		}{{r.Sire, "sire", sireHeader, genetics.Male}, {r.Dam, "dam", damHeader, genetics.Female}} {
			if p.key == "" {
				continue
			}
			if p.key == r.Key {
				refuse(i, p.header, p.key, "an animal cannot be its own "+p.role)
				continue
			}
			if line, out := refused[p.key]; out {
				if _, inFile := byKey[p.key]; !inFile {
					refuse(i, p.header, p.key, fmt.Sprintf("its parent %s (line %d) cannot be imported", p.key, line))
					continue
				}
			}
			j, inFile := byKey[p.key]
			if !inFile {
				external[p.key] = true
				continue
			}
			parent := records[j]
			switch {
			case parent.Sex != p.want:
				refuse(i, p.header, p.key, fmt.Sprintf("the %s must be %s, and %s (line %d) is %s", p.role, p.want, p.key, parent.Line, parent.Sex))
			case parent.Species != nil && r.Species != nil && parent.Species.Key != r.Species.Key:
				refuse(i, p.header, p.key, fmt.Sprintf("the %s is a %s, the animal a %s", p.role, parent.Species.Name, r.Species.Name))
			case parent.HatchDate != nil && r.HatchDate != nil && !parent.HatchDate.Before(*r.HatchDate):
				refuse(i, p.header, p.key, fmt.Sprintf("the %s hatched %s, not before the animal (%s)", p.role,
					parent.HatchDate.Format("2006-01-02"), r.HatchDate.Format("2006-01-02")))
			}
		}
	}
	order := c.order(records, byKey, bad)
	// A row whose parent in the file was refused cannot go in whole: refused too, in order.
	for _, i := range order {
		r := records[i]
		for _, p := range []struct{ key, header string }{{r.Sire, sireHeader}, {r.Dam, damHeader}} {
			if j, inFile := byKey[p.key]; inFile && p.key != r.Key && bad[j] && !bad[i] {
				refuse(i, p.header, p.key, fmt.Sprintf("its parent %s (line %d) cannot be imported", p.key, records[j].Line))
			}
		}
		if !bad[i] {
			c.Ordered = append(c.Ordered, r)
		}
	}
	for k := range external {
		c.External = append(c.External, k)
	}
	slices.Sort(c.External)
	return c
}

// order sorts the rows parents first (depth-first from each row, in file order), refusing
// every row of a cycle; it answers the indexes of the rows that are not part of one.
func (c *Checked) order(records []Record, byKey map[string]int, bad map[int]bool) []int {
	const (
		unseen = iota
		visiting
		done
	)
	state := make([]int, len(records))
	var out []int
	var path []int
	var visit func(i int)
	visit = func(i int) {
		switch state[i] {
		case done:
			return
		case visiting:
			start := len(path) - 1
			for path[start] != i {
				start--
			}
			cycle := path[start:]
			keys := make([]string, 0, len(cycle)+1)
			for _, k := range cycle {
				keys = append(keys, records[k].Key)
			}
			keys = append(keys, records[i].Key)
			for _, k := range cycle {
				if !bad[k] {
					bad[k] = true
					c.Problems = append(c.Problems, Problem{Line: records[k].Line, Value: records[k].Key,
						Problem: "the parents make a cycle, an animal its own ancestor: " + strings.Join(keys, " → ")})
				}
			}
			return
		}
		state[i] = visiting
		path = append(path, i)
		for _, p := range []string{records[i].Sire, records[i].Dam} {
			if j, ok := byKey[p]; ok && j != i {
				visit(j)
			}
		}
		path = path[:len(path)-1]
		state[i] = done
		out = append(out, i)
	}
	for i := range records {
		if byKey[records[i].Key] == i {
			visit(i)
		}
	}
	return out
}

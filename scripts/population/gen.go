package main

import (
	"strconv"
	"time"
)

// The pure parts of the population: what each simulated animal looks like in the registry.
// They depend only on the animal's index and generation, so a given -seed always gives the
// same registry (public and internal IDs aside, which are random as in the application).

// firstHatch is the hatch date of the oldest founders; a generation is two years later than
// the one before, and animals hatch within hatchWindow days of their generation's start, so
// every parent (one or two generations back) hatched at least 580 days before its young.
var firstHatch = time.Date(1984, time.April, 1, 0, 0, 0, 0, time.UTC)

const (
	generationDays = 730
	hatchWindow    = 150
	publicPercent  = 30 // share of animals listed publicly
	aliveGens      = 8  // the last generations are active; older animals are deceased
)

// mix is splitmix64: a well-spread hash of an index and the seed, for per-animal choices that
// do not consume the simulation's random stream.
func mix(seed uint64, i int) uint64 {
	z := seed + uint64(i)*0x9e3779b97f4a7c15 + 0x632be59bd9b4e019
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// hatchDate is the hatch date of animal i of generation g.
func hatchDate(seed uint64, i int, g int32) time.Time {
	return firstHatch.AddDate(0, 0, int(g)*generationDays+int(mix(seed, i)%hatchWindow))
}

// visibility is "public" for about publicPercent of the animals, else "organization".
func visibility(seed uint64, i int) string {
	if mix(seed^0x7075626c6963, i)%100 < publicPercent {
		return "public"
	}
	return "organization"
}

// status is "active" for the last aliveGens generations and "deceased" before.
func status(g, generations int32) string {
	if g >= generations-aliveGens {
		return "active"
	}
	return "deceased"
}

func sex(female bool) string {
	if female {
		return "female"
	}
	return "male"
}

var (
	nameFirst = []string{"Amber", "Onyx", "Saffron", "Cinder", "Juniper", "Marble", "Nova", "Pepper", "Quartz", "Rune",
		"Sable", "Tansy", "Umber", "Vesper", "Willow", "Ziggy", "Basil", "Clover", "Dune", "Ember", "Fable", "Ginger",
		"Hazel", "Indigo", "Jasper", "Kestrel", "Luna", "Maple", "Nyx", "Opal", "Pixel", "Rook"}
	nameSecond = []string{"Comet", "Drift", "Echo", "Flint", "Glade", "Harbor", "Isle", "Jinx", "Knot", "Lark", "Moss",
		"Nimbus", "Orbit", "Pebble", "Quill", "Ripple", "Spark", "Thistle", "Vale", "Whisper"}
)

// name is a pet name for animal i, with its number in the population so it is unique.
func name(seed uint64, i int) string {
	h := mix(seed^0x6e616d65, i)
	return nameFirst[h%uint64(len(nameFirst))] + " " + nameSecond[(h>>16)%uint64(len(nameSecond))] + " " + strconv.Itoa(i+1)
}

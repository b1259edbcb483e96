package genetics

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestFormat_WritesGenotypesCanonically(t *testing.T) {
	t.Parallel()
	s := testBall(t)
	cases := []struct {
		sex    Sex
		claims []Claim
		want   string
	}{
		{Male, nil, "Normal"},
		{Male, []Claim{vis("pastel")}, "Pastel"},
		{Male, []Claim{sup("pastel")}, "Super Pastel"},
		{Male, []Claim{vis("spider"), vis("pastel")}, "Bumblebee"},
		{Male, []Claim{vis("spider"), sup("pastel"), vis("clown")}, "Killer Bee Clown"},
		{Male, []Claim{het("piebald"), vis("clown"), poss("albino", 2, 3)}, "Clown het Piebald 66% poss het Albino"},
		{Male, []Claim{het("albino"), het("clown")}, "Normal het Clown het Albino"},
		{Male, []Claim{vis("lesser"), vis("mojave")}, "Blue-eyed Leucistic"},
		{Female, []Claim{vis("banana")}, "Banana"},
		{Male, []Claim{poss("clown", 1, 2)}, "Normal 50% poss het Clown"},
	}
	for _, c := range cases {
		t.Run(c.want, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, c.want, s.Format(mustGenotype(t, s, c.sex, c.claims...)))
		})
	}
}

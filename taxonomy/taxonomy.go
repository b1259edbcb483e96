// Package taxonomy is the species catalogue ReptiDex ships with: the genes, allelic
// compounds and named combinations of each supported species, as seed data for the genetics
// engine. The data lives in data/*.json, one genetics.Species per file, named after its key.
// Once stored, a catalogue is edited by platform administrators (Replace, replace.go).
package taxonomy

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"

	"github.com/reptidex/reptidex/domain/genetics"
)

//go:embed data/*.json
var data embed.FS

// ErrUnknownSpecies is returned by Lookup for a key the catalogue does not have.
var ErrUnknownSpecies = errors.New("taxonomy: unknown species")

// Builtin loads every shipped species, validates it with Prepare and returns them sorted by
// key. Each call decodes afresh, so the caller owns the result.
func Builtin() ([]*genetics.Species, error) {
	names, err := fs.Glob(data, "data/*.json")
	if err != nil {
		return nil, fmt.Errorf("taxonomy: list data: %w", err)
	}
	out := make([]*genetics.Species, 0, len(names))
	seen := make(map[string]string, len(names))
	for _, name := range names {
		s, err := load(name)
		if err != nil {
			return nil, err
		}
		if prev, dup := seen[s.Key]; dup {
			return nil, fmt.Errorf("taxonomy: species %s is defined in both %s and %s", s.Key, prev, name)
		}
		seen[s.Key] = name
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

// load decodes one data file strictly and prepares the species.
func load(name string) (*genetics.Species, error) {
	raw, err := data.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("taxonomy: read %s: %w", name, err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	s := new(genetics.Species)
	if err := dec.Decode(s); err != nil {
		return nil, fmt.Errorf("taxonomy: decode %s: %w", name, err)
	}
	if err := dec.Decode(new(json.RawMessage)); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("taxonomy: decode %s: trailing data after the species object", name)
	}
	if want := strings.TrimSuffix(path.Base(name), ".json"); s.Key != want {
		return nil, fmt.Errorf("taxonomy: %s holds species %q; the file must be named after its key", name, s.Key)
	}
	if err := s.Prepare(); err != nil {
		return nil, fmt.Errorf("taxonomy: %s: %w", name, err)
	}
	return s, nil
}

var (
	cacheOnce sync.Once
	cache     map[string]*genetics.Species
	cacheErr  error
)

// Lookup returns the shipped species with key, loaded once and shared by every caller, so the
// result must not be modified. It returns ErrUnknownSpecies for a key the catalogue lacks.
func Lookup(key string) (*genetics.Species, error) {
	cacheOnce.Do(func() {
		all, err := Builtin()
		if err != nil {
			cacheErr = err
			return
		}
		cache = make(map[string]*genetics.Species, len(all))
		for _, s := range all {
			cache[s.Key] = s
		}
	})
	if cacheErr != nil {
		return nil, cacheErr
	}
	s, ok := cache[key]
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrUnknownSpecies, key)
	}
	return s, nil
}

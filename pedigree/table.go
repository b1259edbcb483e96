package pedigree

import (
	"fmt"
	"hash/maphash"
	"unsafe"

	"github.com/google/uuid"
	"github.com/mr-tron/base58"
)

// table is the pedigree graph in compact form: node k is the animal ids[k], whose public ID
// is pubs[k] and whose parents are the nodes sire[k] and dam[k] (-1 when unknown). It holds
// no pointers per node, so the garbage collector never scans it, and costs about 56 bytes an
// animal. It is not safe for concurrent use; Graph guards it.
type table struct {
	ids       []uuid.UUID
	pubs      []publicKey
	sire, dam []int32
	byID      hashIndex
	byPub     hashIndex
	// oddPubs holds the public IDs that are not the Base58 form of 16 bytes, which every ID
	// store.NewPublicID makes is; their pubs entry is the zero key.
	oddPubs map[string]int32
	// orgs names every organization, for the owners and breeders on pedigree cards.
	orgs map[uuid.UUID]Organization
}

// Organization is an organization as a pedigree card names it.
type Organization struct {
	PublicID, Name string
}

// publicKey is a public ID decoded from Base58.
type publicKey [16]byte

// publicKeyOf decodes a public ID made by store.NewPublicID; ok is false for any other.
// Base58 decoding is one-to-one (leading '1's are leading zero bytes, the rest a number
// without leading zeros), so two IDs never share a key.
func publicKeyOf(pub string) (k publicKey, ok bool) {
	b, err := base58.Decode(pub)
	if err != nil || len(b) != len(k) {
		return k, false
	}
	copy(k[:], b)
	return k, true
}

func newTable(capacity int) *table {
	return &table{
		ids:   make([]uuid.UUID, 0, capacity),
		pubs:  make([]publicKey, 0, capacity),
		sire:  make([]int32, 0, capacity),
		dam:   make([]int32, 0, capacity),
		byID:  newHashIndex(capacity),
		byPub: newHashIndex(capacity),
		orgs:  map[uuid.UUID]Organization{},
	}
}

// Len is the number of animals.
func (t *table) Len() int { return len(t.ids) }

// node is the node of an animal, or -1.
func (t *table) node(id uuid.UUID) int32 { return find(&t.byID, t.ids, id) }

// nodeByPublicID is the node of an animal by public ID, or -1.
func (t *table) nodeByPublicID(pub string) int32 {
	if k, ok := publicKeyOf(pub); ok {
		return find(&t.byPub, t.pubs, k)
	}
	if n, ok := t.oddPubs[pub]; ok {
		return n
	}
	return -1
}

// add appends an animal with unknown parents; it must not be in the table yet.
func (t *table) add(id uuid.UUID, pub string) (int32, error) {
	if len(t.ids) >= maxNodes {
		return -1, fmt.Errorf("pedigree: more than %d animals", maxNodes)
	}
	n := int32(len(t.ids))
	k, ok := publicKeyOf(pub)
	t.ids = append(t.ids, id)
	t.pubs = append(t.pubs, k)
	t.sire = append(t.sire, -1)
	t.dam = append(t.dam, -1)
	insert(&t.byID, t.ids, n)
	if ok {
		insert(&t.byPub, t.pubs, n)
	} else {
		if t.oddPubs == nil {
			t.oddPubs = map[string]int32{}
		}
		t.oddPubs[pub] = n
	}
	return n, nil
}

// maxNodes keeps node numbers, and twice their count in a hash index, within int32.
const maxNodes = 1 << 29

// set records an animal as it now stands: added if new, its parents replaced. A parent
// (uuid.Nil for unknown) must already be in the table: the database adds a pedigree row
// before any row that names it as a parent, and notifications keep that order.
func (t *table) set(id uuid.UUID, pub string, sire, dam uuid.UUID) error {
	s, err := t.parent(id, sire)
	if err != nil {
		return err
	}
	d, err := t.parent(id, dam)
	if err != nil {
		return err
	}
	n := t.node(id)
	if n < 0 {
		if n, err = t.add(id, pub); err != nil {
			return err
		}
	}
	t.sire[n], t.dam[n] = s, d
	return nil
}

func (t *table) parent(child, id uuid.UUID) (int32, error) {
	if id == uuid.Nil {
		return -1, nil
	}
	if n := t.node(id); n >= 0 {
		return n, nil
	}
	return -1, fmt.Errorf("pedigree: animal %s has parent %s, which is not in the graph", child, id)
}

// bytes is the memory the table holds.
func (t *table) bytes() int64 {
	perNode := int64(unsafe.Sizeof(uuid.UUID{}) + unsafe.Sizeof(publicKey{}) + 2*unsafe.Sizeof(int32(0)))
	size := int64(cap(t.ids)) * perNode
	size += int64(len(t.byID.slots)+len(t.byPub.slots)) * int64(unsafe.Sizeof(int32(0)))
	for pub := range t.oddPubs {
		size += int64(len(pub)) + 16 + 4
	}
	for _, o := range t.orgs {
		size += int64(unsafe.Sizeof(uuid.UUID{})+unsafe.Sizeof(o)) + int64(len(o.PublicID)+len(o.Name))
	}
	return size
}

// hashIndex finds a node by a 16-byte key kept in a slice beside it (keys[n] for node n),
// by open addressing with linear probing. Slots hold n+1; 0 is empty. Nodes are never
// removed.
type hashIndex struct {
	slots []int32
	n     int
	seed  maphash.Seed
}

// newHashIndex sizes an index for capacity keys at most three quarters full.
func newHashIndex(capacity int) hashIndex {
	size := 16
	for size*3/4 < capacity {
		size *= 2
	}
	return hashIndex{slots: make([]int32, size), seed: maphash.MakeSeed()}
}

func (x *hashIndex) slot(key *[16]byte) int {
	return int(maphash.Bytes(x.seed, key[:]) & uint64(len(x.slots)-1))
}

// find is the node whose key is key, or -1.
func find[K ~[16]byte](x *hashIndex, keys []K, key K) int32 {
	k := [16]byte(key)
	for i := x.slot(&k); ; i = (i + 1) & (len(x.slots) - 1) {
		v := x.slots[i]
		if v == 0 {
			return -1
		}
		if keys[v-1] == key {
			return v - 1
		}
	}
}

// insert indexes node n by keys[n], growing the index past three quarters full.
func insert[K ~[16]byte](x *hashIndex, keys []K, n int32) {
	if (x.n+1)*4 > len(x.slots)*3 {
		old := x.slots
		x.slots = make([]int32, 2*len(old))
		for _, v := range old {
			if v != 0 {
				place(x, [16]byte(keys[v-1]), v)
			}
		}
	}
	place(x, [16]byte(keys[n]), n+1)
	x.n++
}

func place(x *hashIndex, key [16]byte, v int32) {
	i := x.slot(&key)
	for x.slots[i] != 0 {
		i = (i + 1) & (len(x.slots) - 1)
	}
	x.slots[i] = v
}

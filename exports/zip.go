package exports

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"encoding/json"
	"fmt"
	"io"
	"time"
)

// Format names the export format in its manifest and JSON document; Version changes when a
// file or column is removed or changes meaning (added ones do not change it).
const (
	Format  = "reptidex-export"
	Version = 1
)

// Manifest is what an export's ZIP says of itself, in manifest.json and at the head of the
// JSON document.
type Manifest struct {
	Format       string         `json:"format"`
	Version      int            `json:"version"`
	ExportID     string         `json:"export_id"`
	Organization Organization   `json:"organization"`
	ExportedAt   time.Time      `json:"exported_at"`
	Files        []ManifestFile `json:"files"`
}

// Organization names the organization exported.
type Organization struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// ManifestFile is one file of the export: its CSV file's name in the ZIP, its rows, and when
// they were read.
type ManifestFile struct {
	Name   string    `json:"name"`
	CSV    string    `json:"csv"`
	Rows   int64     `json:"rows"`
	ReadAt time.Time `json:"read_at"`
}

// Part is a written file: its name, rows and time, and how to open its CSV and its JSON
// array.
type Part struct {
	Name   string
	Rows   int64
	ReadAt time.Time
	CSV    func() (io.ReadCloser, error)
	JSON   func() (io.ReadCloser, error)
}

// DocumentName is the JSON document's name in the ZIP.
const DocumentName = "reptidex.json"

// WriteZip writes the export's ZIP to w: README.txt, manifest.json, each part's CSV file,
// and the JSON document (the manifest's fields, then each part's array under its name),
// copying each part as it is read, so that memory stays flat whatever the size.
func WriteZip(w io.Writer, m Manifest, parts []Part) error {
	m.Format, m.Version = Format, Version
	m.Files = make([]ManifestFile, len(parts))
	for i, p := range parts {
		m.Files[i] = ManifestFile{Name: p.Name, CSV: p.Name + ".csv", Rows: p.Rows, ReadAt: p.ReadAt.UTC()}
	}
	m.ExportedAt = m.ExportedAt.UTC()
	head, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("manifest: %w", err)
	}
	z := zip.NewWriter(w)
	z.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(out, flate.BestSpeed)
	})
	entry := func(name string, write func(io.Writer) error) error {
		ew, err := z.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: m.ExportedAt})
		if err != nil {
			return fmt.Errorf("zip %s: %w", name, err)
		}
		if err := write(ew); err != nil {
			return fmt.Errorf("zip %s: %w", name, err)
		}
		return nil
	}
	if err := entry("README.txt", func(ew io.Writer) error { _, err := io.WriteString(ew, readme); return err }); err != nil {
		return err
	}
	if err := entry("manifest.json", func(ew io.Writer) error { _, err := ew.Write(append(head, '\n')); return err }); err != nil {
		return err
	}
	for _, p := range parts {
		if err := entry(p.Name+".csv", func(ew io.Writer) error { return copyPart(ew, p.CSV) }); err != nil {
			return err
		}
	}
	if err := entry(DocumentName, func(ew io.Writer) error { return writeDocument(ew, head, parts) }); err != nil {
		return err
	}
	if err := z.Close(); err != nil {
		return fmt.Errorf("zip: %w", err)
	}
	return nil
}

// writeDocument writes the JSON document: the manifest's fields, then each part's array
// under the part's name.
func writeDocument(w io.Writer, head []byte, parts []Part) error {
	head = bytes.TrimRight(head, "\n}")
	if _, err := w.Write(head); err != nil {
		return err
	}
	for _, p := range parts {
		key, err := json.Marshal(p.Name)
		if err != nil {
			return err
		}
		if _, err := fmt.Fprintf(w, ",\n  %s: ", key); err != nil {
			return err
		}
		if err := copyPart(w, p.JSON); err != nil {
			return err
		}
	}
	_, err := io.WriteString(w, "\n}\n")
	return err
}

// copyPart copies what open opens to w, and closes it.
func copyPart(w io.Writer, open func() (io.ReadCloser, error)) error {
	r, err := open()
	if err != nil {
		return err
	}
	_, err = io.Copy(w, r)
	if cerr := r.Close(); err == nil {
		err = cerr
	}
	return err
}

// readme is the README.txt of every export: what each file holds.
const readme = `ReptiDex export
===============

Everything your organization keeps on ReptiDex, in open formats. Each CSV file is UTF-8 with a
byte order mark (spreadsheets open it as UTF-8), one header row, and one row per record. A cell
that a spreadsheet would run as a formula (starting with =, +, -, @, a tab or a carriage
return) starts with an apostrophe, which a spreadsheet shows and does not run. Times are UTC
(RFC 3339); dates are YYYY-MM-DD. IDs are ReptiDex public IDs: an animal's ID is the one in its
ReptiDex link, and another breeder's public animal is named by its own public ID.

manifest.json     what this export is: the organization, when it was made, each file and its rows
reptidex.json     everything below in one JSON document, one array per file under the file's name;
                  animals there also carry genetics_claims, their genetics as structured claims
animals.csv       every animal: name, species, sex, hatch date, status, visibility, genetics by
                  trade name, identifiers (JSON), sire and dam, clutch, breeder of record
genetics.csv      each animal's genetics, one claim per row: gene, kind (visual, super, het,
                  possible_het), probability of a possible het, provenance
lineage.csv       each animal's known parents: sire or dam, the parent's public ID and owner;
                  in_collection is true when the parent is one of your animals; a parent another
                  breeder keeps private has no ID (parent_visible false)
pairings.csv      pairings: sire, dam, season, status, notes, the offspring's expected inbreeding
clutches.csv      clutches of each pairing: laid, eggs, fertile, infertile, hatched
hatchlings.csv    the animals you keep that hatched from each clutch
transfers.csv     ownership transfers you sent or received, and how they ended
sales.csv         marketplace orders you sold or bought: amounts in minor units (cents)
certificates.csv  pedigree certificates: serial, status, signing key, the PDF's SHA-256
media.csv         the index of your animals' photos: size, dimensions, order, primary
`

// Package resident keeps the process's resident memory close to what it
// uses, for the Pi: it hands the kernel back the pages of embedded data
// that has been decoded and will not be read again (Release), lowers the
// garbage collector's target after start-up so the heap grows by a small
// share of the live heap between collections (TightenGC), and reads the kernel's resident-set figures
// (ReadStatus) for the start-up log line.
//
// Why: the pipeline decodes its embedded pattern database (9 MB) and star
// catalogue at start; the embedded bytes stay resident as file pages next
// to the decoded copy, and with the default GOGC the heap grows to twice
// the live heap (from about 20 MB to 40 MB within a minute) before the
// next collection. The pipeline allocates slowly (about 0.4 MB/s), so a
// collection every few megabytes costs almost nothing.
package resident

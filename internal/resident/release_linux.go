package resident

import (
	"errors"
	"fmt"
	"unsafe"

	"golang.org/x/sys/unix"
)

func release(b []byte, page int) (int, error) {
	p := pageAligned(b, uintptr(unsafe.Pointer(unsafe.SliceData(b))), page)
	if len(p) == 0 {
		return 0, nil
	}
	// MADV_PAGEOUT (Linux 5.4, madvise(2)) reclaims the pages now and keeps
	// their contents: clean file pages are simply dropped and read from the
	// executable again if touched. Unlike MADV_DONTNEED it cannot lose data
	// even if b were writable memory. An older kernel says EINVAL: then the
	// pages stay until memory pressure reclaims them, as before.
	if err := unix.Madvise(p, unix.MADV_PAGEOUT); err != nil {
		if errors.Is(err, unix.EINVAL) {
			return 0, nil
		}
		return 0, fmt.Errorf("resident: madvise %d bytes: %w", len(p), err)
	}
	return len(p), nil
}

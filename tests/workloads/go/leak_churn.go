// leak_churn RETAIN_BYTES_PER_S GARBAGE_BYTES_PER_S: every 100 ms keeps a
// tenth of RETAIN and drops a tenth of GARBAGE (every page touched), for ever.
// `leak_churn 655360 0` is the go-leak workload (64 KiB kept every 100 ms: its
// heap doubles between collections, so it collects about once a minute) and
// `leak_churn 0 655360` its steady twin (the same 64 KiB dropped). With
// garbage as well, the runtime collects every few seconds, as a serving Go
// process does. RETAIN 0 is the steady twin.
// Standard library only; exits on SIGTERM/SIGINT.
package main

import (
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"
)

var (
	leaks [][]byte
	sink  []byte // package-level so the garbage escapes to the heap
)

func touch(b []byte, v int) {
	for i := 0; i < len(b); i += 512 {
		b[i] = byte(v + i)
	}
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: leak_churn RETAIN_BYTES_PER_S GARBAGE_BYTES_PER_S")
		os.Exit(2)
	}
	retain, err1 := strconv.Atoi(os.Args[1])
	garbage, err2 := strconv.Atoi(os.Args[2])
	if err1 != nil || err2 != nil || retain < 0 || garbage < 0 || retain > 1<<30 || garbage > 1<<30 {
		fmt.Fprintln(os.Stderr, "leak_churn: rates are bytes per second, 0..2^30")
		os.Exit(2)
	}
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for tick := 0; ; tick++ {
		select {
		case <-stop:
			return
		case <-t.C:
			if retain > 0 {
				b := make([]byte, retain/10)
				touch(b, tick)
				leaks = append(leaks, b)
			}
			// in 64 KiB pieces, as a request handler's buffers would be
			for left := garbage / 10; left > 0; left -= 64 << 10 {
				n := 64 << 10
				if left < n {
					n = left
				}
				sink = make([]byte, n)
				touch(sink, tick)
			}
		}
	}
}

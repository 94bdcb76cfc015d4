// leak keeps 64 KiB every 100 ms for ever. Standard library only.
package main

import (
	"os"
	"os/signal"
	"syscall"
	"time"
)

const size = 64 << 10

var leaks [][]byte

func main() {
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for tick := 0; ; tick++ {
		select {
		case <-stop:
			return
		case <-t.C:
			b := make([]byte, size)
			for i := 0; i < size; i += 512 { // touch every page
				b[i] = byte(tick + i)
			}
			leaks = append(leaks, b)
		}
	}
}

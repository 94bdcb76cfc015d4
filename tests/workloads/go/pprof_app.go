// pprof_app serves net/http/pprof on 127.0.0.1 (a free port, printed as
// "listening on 127.0.0.1:PORT") and allocates on request, for
// tests/integration/test_pprof.py. Standard library only.
//
//	pprof_app leak    GET /work?n=N keeps N blocks of 256 KiB (leakyFunction)
//	pprof_app steady  GET /work?n=N makes the same blocks and drops them
//	                  (steadyFunction)
package main

import (
	"fmt"
	"net"
	"net/http"
	_ "net/http/pprof" // registers /debug/pprof/ on http.DefaultServeMux
	"os"
	"os/signal"
	"strconv"
	"syscall"
)

const blockSize = 256 << 10

var (
	kept [][]byte // what leakyFunction keeps, for ever
	sink []byte   // package-level, so steadyFunction's blocks escape
)

// leakyFunction allocates n blocks and keeps them: the leak the heap diff
// must name.
//
//go:noinline
func leakyFunction(n int) {
	for i := 0; i < n; i++ {
		b := make([]byte, blockSize)
		b[0] = byte(i)
		kept = append(kept, b)
	}
}

// steadyFunction allocates as much as leakyFunction and keeps none of it.
//
//go:noinline
func steadyFunction(n int) {
	for i := 0; i < n; i++ {
		b := make([]byte, blockSize)
		b[0] = byte(i)
		sink = b
	}
	sink = nil
}

func main() {
	if len(os.Args) != 2 || (os.Args[1] != "leak" && os.Args[1] != "steady") {
		fmt.Fprintln(os.Stderr, "usage: pprof_app leak|steady")
		os.Exit(2)
	}
	work := leakyFunction
	if os.Args[1] == "steady" {
		work = steadyFunction
	}
	http.HandleFunc("/work", func(w http.ResponseWriter, r *http.Request) {
		n, err := strconv.Atoi(r.URL.Query().Get("n"))
		if err != nil || n < 0 || n > 4096 {
			http.Error(w, "n must be 0..4096", http.StatusBadRequest)
			return
		}
		work(n)
		fmt.Fprintf(w, "did %d\n", n)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("listening on %s\n", ln.Addr())
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	go func() { _ = http.Serve(ln, nil) }()
	<-stop
}

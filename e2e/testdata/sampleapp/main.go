// Command sampleapp is the app the end-to-end tests deploy. It is built as a
// static binary and copied into a FROM scratch image.
//
// It listens on $PORT and answers:
//
//	GET /            the content of /message.txt and $GREETING
//	GET /env?k=KEY   the value of an environment variable
//	GET /slow?ms=N   after N milliseconds
//	GET /ws          a WebSocket echo
//	GET /print?n=N&msg=M&size=S   prints N lines "M i xxx..." (S x's) to stdout
//	GET /alloc?mb=N  allocates and keeps N MiB more (to exceed a memory limit)
//	GET /privileges  its effective capabilities and whether a raw socket opens
//
// With CRASH_ON_BOOT=1 it exits at once; with UNHEALTHY=1 it answers 500;
// BOOT_DELAY_MS=N makes it wait N milliseconds before it listens.
package main

import (
	"fmt"
	"log"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/websocket"
)

func main() {
	if len(os.Args) > 1 {
		os.Exit(task(os.Args[1], os.Args[2:]))
	}
	if os.Getenv("CRASH_ON_BOOT") == "1" {
		fmt.Println("sampleapp: crashing on boot as asked")
		os.Exit(3)
	}
	if ms, _ := strconv.Atoi(os.Getenv("BOOT_DELAY_MS")); ms > 0 {
		time.Sleep(time.Duration(ms) * time.Millisecond)
	}
	msg, _ := os.ReadFile("/message.txt")
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if os.Getenv("UNHEALTHY") == "1" {
			http.Error(w, "unhealthy as asked", http.StatusInternalServerError)
			return
		}
		fmt.Fprintf(w, "%s%s", msg, os.Getenv("GREETING"))
	})
	mux.HandleFunc("/env", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, os.Getenv(r.URL.Query().Get("k")))
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		ms, _ := strconv.Atoi(r.URL.Query().Get("ms"))
		time.Sleep(time.Duration(ms) * time.Millisecond)
		fmt.Fprintf(w, "%sslept %dms", msg, ms)
	})
	mux.HandleFunc("/headers", func(w http.ResponseWriter, r *http.Request) {
		for _, h := range []string{"X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host"} {
			fmt.Fprintf(w, "%s=%s\n", h, r.Header.Get(h))
		}
		fmt.Fprintf(w, "Host=%s\n", r.Host)
	})
	mux.HandleFunc("/ws", echoWebSocket)
	mux.HandleFunc("/print", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		size, _ := strconv.Atoi(r.URL.Query().Get("size"))
		msg := r.URL.Query().Get("msg")
		pad := strings.Repeat("x", size)
		for i := 1; i <= n; i++ {
			fmt.Printf("%s %d %s\n", msg, i, pad)
		}
		fmt.Fprintf(w, "printed %d", n)
	})
	mux.HandleFunc("/alloc", func(w http.ResponseWriter, r *http.Request) {
		mb, _ := strconv.Atoi(r.URL.Query().Get("mb"))
		fmt.Fprintf(w, "allocated %d MiB", allocate(mb))
	})
	mux.HandleFunc("/privileges", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, privileges())
	})
	mux.HandleFunc("/whoami", func(w http.ResponseWriter, r *http.Request) {
		name, _ := os.Hostname()
		fmt.Fprint(w, name)
	})
	addr := ":" + os.Getenv("PORT")
	fmt.Printf("sampleapp: listening on %s\n", addr)
	log.Fatal(http.ListenAndServe(addr, mux))
}

// task runs the sample's other process types:
//
//	worker        prints "worker tick N" twice a second, forever
//	release       prints "release phase ran" and exits with $RELEASE_EXIT
//	exit N        prints its arguments and exits with N
//	privileges    prints what GET /privileges answers
func task(name string, args []string) int {
	switch name {
	case "privileges":
		fmt.Print(privileges())
		return 0
	case "worker":
		for i := 1; ; i++ {
			fmt.Printf("worker tick %d\n", i)
			time.Sleep(500 * time.Millisecond)
		}
	case "release":
		fmt.Println("release phase ran")
		code, _ := strconv.Atoi(os.Getenv("RELEASE_EXIT"))
		return code
	case "exit":
		fmt.Printf("one-off %v\n", args)
		code, _ := strconv.Atoi(args[0])
		return code
	}
	fmt.Fprintf(os.Stderr, "unknown task %q\n", name)
	return 2
}

func echoWebSocket(w http.ResponseWriter, r *http.Request) {
	conn, err := (&websocket.Upgrader{}).Upgrade(w, r, nil)
	if err != nil {
		return
	}
	defer conn.Close()
	for {
		t, p, err := conn.ReadMessage()
		if err != nil {
			return
		}
		if err := conn.WriteMessage(t, p); err != nil {
			return
		}
	}
}

// Command sampleapp is the app the end-to-end tests deploy. It is built as a
// static binary and copied into a FROM scratch image.
//
// It listens on $PORT and answers:
//
//	GET /            the content of /message.txt and $GREETING
//	GET /env?k=KEY   the value of an environment variable
//	GET /slow?ms=N   after N milliseconds
//	GET /ws          a WebSocket echo
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
	"time"

	"github.com/gorilla/websocket"
)

func main() {
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
	addr := ":" + os.Getenv("PORT")
	fmt.Printf("sampleapp: listening on %s\n", addr)
	log.Fatal(http.ListenAndServe(addr, mux))
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

// Command go-vendor-sample is the Go sample app with a vendored module
// (github.com/google/uuid in vendor/) of Quayside's end-to-end tests. Its
// Procfile starts it with -procfile, so its answer shows the Procfile won.
// It answers GET / on $PORT.
package main

import (
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"

	"github.com/google/uuid"
)

func main() {
	fromProcfile := flag.Bool("procfile", false, "started by the Procfile")
	flag.Parse()
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	how := "default process"
	if *fromProcfile {
		how = "started by the Procfile"
	}
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "Hello from the go-vendor sample (%s, request %s)\n", how, uuid.NewString())
	})
	log.Printf("go-vendor sample listening on :%s", port)
	log.Fatal(http.ListenAndServe(":"+port, nil))
}

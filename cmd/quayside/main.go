// Command quayside is the Quayside server and its command-line client.
//
// `quayside server` runs the daemon: the git push endpoint, the builder, the
// engine that deploys releases, the reverse proxy in front of the apps, and
// the control socket. Every other command is a client that talks to the
// daemon through that socket.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/alecthomas/kong"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/ui/api/appflag"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// cli is the whole command line. Each command lives in its own file.
type cli struct {
	Data   string `env:"QUAYSIDE_DATA" default:"/var/lib/quayside" type:"path" help:"Data directory: the SQLite file, git repositories, keys and the control socket."`
	Remote string `name:"server" env:"QUAYSIDE_URL" placeholder:"URL" help:"Talk to the Quayside server at URL (https://quayside.example.com) instead of the local daemon; its token comes from QUAYSIDE_TOKEN or quayside login."`
	App    string `short:"a" name:"app" placeholder:"APP" help:"The app, for commands that take one; inferred from the git remote named quayside when left out."`

	Server      serverCmd      `cmd:"" help:"Run the Quayside daemon."`
	Apps        appsCmd        `cmd:"" help:"List, create and destroy apps."`
	Releases    releasesCmd    `cmd:"" help:"List the releases of an app."`
	Config      configCmd      `cmd:"" help:"Show and change an app's config (environment variables)."`
	Rollback    rollbackCmd    `cmd:"" help:"Run an earlier release again (image and config, no rebuild)."`
	Redeploy    redeployCmd    `cmd:"" help:"Deploy an app's current release again: same image and config, fresh containers, no build."`
	Restart     restartCmd     `cmd:"" help:"Replace an app's containers with fresh ones of the same release (--process TYPE for one type)."`
	Promote     promoteCmd     `cmd:"" help:"Release the image of one app's current release (staging, a preview) into another, with the target's config: quayside promote SOURCE TARGET"`
	Checks      checksCmd      `cmd:"" help:"Show and change how new releases are health-checked and old ones drained."`
	Logs        logsCmd        `cmd:"" help:"Print an app's logs; -f follows them live."`
	Events      eventsCmd      `cmd:"" help:"List what happened to an app: deploys, crashes, restarts, scaling."`
	Insights    insightsCmd    `cmd:"" help:"Show the delivery figures (DORA): deploy frequency, lead time, change failure rate, time to restore."`
	Catalog     catalogCmd     `cmd:"" help:"The service catalog: owners, lifecycle, systems, links and dependencies of the apps; set them by hand."`
	Ps          psCmd          `cmd:"" help:"List an app's processes, and scale them."`
	Run         runCmd         `cmd:"" help:"Run a command once in a new container of an app: quayside run APP -- CMD ARGS"`
	Cron        cronCmd        `cmd:"" help:"Scheduled jobs of an app: list, add, remove, pause, resume, run, history."`
	Addons      addonsCmd      `cmd:"" help:"Databases for apps (Postgres, Redis): create, list, info, attach, detach, promote, destroy, logs, backup, backups, restore."`
	Builder     builderCmd     `cmd:"" help:"Show or change the buildpack builder of an app."`
	Builds      buildsCmd      `cmd:"" help:"Manage builds: clear an app's build cache."`
	Domains     domainsCmd     `cmd:"" help:"List, add and remove an app's domains; shows certificate states."`
	Previews    previewsCmd    `cmd:"" help:"Deploy every pushed branch as a preview app of its own; list and destroy previews."`
	Auth        authCmd        `cmd:"" help:"Require HTTP basic auth for an app."`
	Maintenance maintenanceCmd `cmd:"" help:"Put an app in maintenance mode (503 with a page) and back."`
	HTTPS       httpsCmd       `cmd:"" name:"https" help:"Show or change an app's HTTPS redirect and HSTS."`
	CA          caCmd          `cmd:"" name:"ca" help:"The local certificate authority (local mode)."`
	Keys        keysCmd        `cmd:"" help:"Manage the SSH keys allowed to push."`
	Users       usersCmd       `cmd:"" help:"Manage user accounts and their roles (admins)."`
	Members     membersCmd     `cmd:"" help:"Manage who may see an app."`
	Tokens      tokensCmd      `cmd:"" help:"Manage API tokens: for the CLI on another machine, CI, git over HTTPS."`
	Audit       auditCmd       `cmd:"" help:"Show who changed what, when and from where."`
	Alerts      alertsCmd      `cmd:"" help:"Send alerts (deploy failed, crash loop, disk, certificates) to webhooks."`
	Login       loginCmd       `cmd:"" help:"Sign in to a remote Quayside server and keep a token for the CLI."`
	Logout      logoutCmd      `cmd:"" help:"Forget the remote server's token."`
	Hook        hookCmd        `cmd:"" hidden:"" help:"Git hooks (run by git, not by people)."`
	Internal    internalCmd    `cmd:"" hidden:"" help:"Processes the daemon starts (not for people)."`
	Status      statusCmd      `cmd:"" help:"Show what the daemon serves and where to push."`
	Version     versionCmd     `cmd:"" help:"Print the version."`
	Backup      backupCmd      `cmd:"" help:"Write a backup of this server: database, keys, certificates, repositories (--with-images: the release images too)."`
	Restore     restoreCmd     `cmd:"" help:"Restore a backup into the data dir; the daemon must be stopped."`
	Cluster     clusterCmd     `cmd:"" help:"Grow past one server on Docker Swarm: init, join-command, nodes, drain, activate, leave (admins)."`
	GC          gcCmd          `cmd:"" name:"gc" help:"Remove unused images, stopped containers and build caches over budget now, and report what was freed."`
	Doctor      doctorCmd      `cmd:"" help:"Check the server (Docker, ports, DNS, disk, memory, certificates, clock) and say how to fix each problem."`
	Upgrade     upgradeCmd     `cmd:"" help:"Download, verify and install a new Quayside binary and restart the service; --rollback goes back."`
}

func main() {
	var c cli
	parser := kong.Must(&c,
		kong.Name("quayside"),
		kong.Description("Quayside: git push deploys to your own server."),
		kong.UsageOnError(),
		// Usage errors exit 2, like every other bad input (see exitcode.go).
		kong.Exit(func(code int) {
			if code != 0 {
				code = exitByCode[engine.EINVALID]
			}
			os.Exit(code)
		}),
		kong.ConfigureHelp(kong.HelpOptions{Compact: true}),
	)
	kctx, err := parser.Parse(appflag.Rewrite(parser.Model.Node, os.Args[1:], appflag.FromGitRemote))
	parser.FatalIfErrorf(err)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err = kctx.Run(&globals{ctx: ctx, data: c.Data, remote: c.Remote})
	var status exitStatus
	if errors.As(err, &status) {
		os.Exit(int(status))
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, errorText(err))
	}
	os.Exit(exitCode(err))
}

// globals is what every command's Run receives.
type globals struct {
	ctx  context.Context
	data string
	// remote is the server URL given with --server or QUAYSIDE_URL.
	remote string
}

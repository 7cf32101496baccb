// Package lx200 is the LX200 position server: the subset of the Meade LX200
// serial protocol, over TCP, that SkySafari, Stellarium and similar programs
// use to show where the finder points and to send a goto target.
//
// The protocol is split in two layers. Scanner and Session are pure: bytes in,
// commands out, replies out, with no network and no clock, which makes them
// easy to test and to fuzz. Server is the network part: it serves at most
// MaxClients connections, answers every command of every read in order,
// closes idle clients, bounds command length, and never lets a client that
// stops reading hold up anything but itself (each write has a deadline, and
// clients read the state from a shared latest snapshot).
//
// # Slots
//
// Connections that hold a slot without using it cannot lock SkySafari out.
// When a client arrives and all MaxClients slots are taken, the server
// closes the client that has been quiet longest among those it may evict:
// any client that has had no command answered since it connected (every
// LX200 client speaks first; SkySafari asks :GR# at once), and any client
// quiet for Config.EvictAfter (5 s) or longer. A client answered more
// recently is never evicted (SkySafari polls :GR#/:GD# several times a
// second), so a flood of connections cannot take a working client's slot;
// when all eight are working, the newcomer is told "too many clients" and
// closed. Connections arriving in a burst faster than they send their
// first command evict one another; whoever reconnects after the burst is
// served. Only commands with a reply count as activity, for the idle
// timeout too: not noise, unknown commands, the reply-less :Q#, :RS#
// and :U#, or Stellarium's 0x06 probe.
//
// # Network exposure
//
// The default address, DefaultAddr (":4030"), listens on every interface,
// because SkySafari runs on a phone or tablet that reaches the PiFinder
// over Wi-Fi (its own access point or the observing site's network). The
// protocol has no authentication: anyone who can reach the port can read
// the pointing and set the goto target (which only shows the target in
// PiFinder; nothing moves). To serve only the machine itself, or one
// network, give the address to bind: --lx200 127.0.0.1:4030 (or the
// address of that network's interface), or "lx200_addr": "127.0.0.1:4030"
// in the settings file (the flag wins over the file); an empty address
// turns the server off. The HTTP API, whose mutations need a token,
// listens on 127.0.0.1 by default.
//
// Coordinates: the aligned pointing estimate (J2000) is converted to the true
// equator and equinox of date ("JNow", what LX200 clients expect) at the
// state's shared datetime (GPS or manual); only when the state has no
// datetime is the system clock used. A goto (:Sr, :Sd) is converted back to
// J2000 at the same instant and becomes the state's current target
// (state.SetTarget with Source "lx200"); Stellarium clients (identified by
// their 0x06 probe) send J2000 and are not converted, as in PiFinder.
//
// Site, time and sync: a planetarium app with "set time & location" on
// sends the site (:St, :Sg, west positive), the UTC offset, local time and
// date (:SG, :SL, :SC) as a Meade LX200 takes them; the site becomes the
// state's APP site (a GPS fix does not replace it) and the time sets the
// clock unless GPS or a manual entry did (state.SetDateTime, source APP).
// :Gt#, :Gg#, :GG#, :GL# and :GC# read them back. :CM# (SkySafari's Align,
// after :Sr/:Sd) calls Config.Sync, which the pipeline makes do what
// /api/align does; it is answered with a '#'-terminated name as Meade's
// are, and a refusal (no target, no recent solve, outside the frame)
// changes nothing and is logged once. Motion, stop and rate commands
// (:Me# :Mn# :Ms# :Mw#, :Q# :Qe# ..., :RS# :RM# :RC# :RG#) are accepted
// without a reply, as on a Meade.
//
// Differences from PiFinder's pos_server.py, all deliberate fixes: every
// command in a read is answered, not only the first; a declination between
// −1° and 0° keeps its minus sign when parsed and formatted; seconds are
// rounded before carrying, so they never read 60; up to MaxClients clients
// are served at once instead of one. Kept as in PiFinder: the replies of
// reference test T17, including the "no pointing" answer "+00*00'01#" to
// both :GR# and :GD# (Dec-shaped even for RA, because clients written
// against PiFinder may rely on it); no reply to :Q#, :RS#, :U#.
// The remembered goto RA is per connection (PiFinder keeps it across
// connections, which lets one client's :Sd# use another's :Sr#).
package lx200

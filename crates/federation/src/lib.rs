//! Tertulia's ActivityPub side: what other sites see of this one (actors,
//! notes, collections), how requests between sites are signed and checked
//! (HTTP Signatures), and the two queues that make federation survive
//! restarts: outgoing deliveries and received activities.

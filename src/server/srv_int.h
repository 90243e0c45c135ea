/*
** srv_int.h — private to src/server: the endpoint table shared by http.c and api.c.
**
** An endpoint gets the parsed request and a snapshot opened for this request (with the
** time budget set) and returns a JSON object (OWNED by the caller) or an ndb_rc with err
** filled; http.c turns either into the response.
*/
#ifndef NDB_SERVER_SRV_INT_H
#define NDB_SERVER_SRV_INT_H

#include "server/server.h"

#include <jansson.h>

typedef ndb_rc (*srv_endpoint_fn)(ndb_snapshot *s, const srv_request *r, json_t **out,
                                  ndb_err *err);

typedef struct srv_endpoint {
    const char *path; /* exact path, e.g. "/api/search" */
    srv_endpoint_fn fn;
} srv_endpoint;

/* The GET endpoints answered with one JSON object (export and ingest are in http.c). */
extern const srv_endpoint ndb_srv_endpoints[];
extern const size_t ndb_srv_nendpoints;

/* /api/article/ID: the article of that id (any version) and every version of its URL. */
ndb_rc ndb_srv_ep_article_id(ndb_snapshot *s, const char *id, const srv_request *r,
                             json_t **out, ndb_err *err);

/* /api/dups (api_dups.c): near-duplicate clusters among a query's matches. */
ndb_rc ndb_srv_ep_dups(ndb_snapshot *s, const srv_request *r, json_t **out, ndb_err *err);
/* /api/reuse/ID (api_dups.c): where each paragraph of the article appears elsewhere. */
ndb_rc ndb_srv_ep_reuse_id(ndb_snapshot *s, const char *id, const srv_request *r,
                           json_t **out, ndb_err *err);

/* JSON string from possibly invalid UTF-8 (bad bytes become U+FFFD); NULL only on OOM. */
json_t *ndb_srv_json_str(const char *s);
json_t *ndb_srv_json_date(int32_t date);

/* Embedded web assets (generated web_assets.c): exact path -> bytes. */
typedef struct srv_asset {
    const char *path, *type;
    const unsigned char *data;
    size_t len;
} srv_asset;
extern const srv_asset ndb_srv_assets[];
extern const size_t ndb_srv_nassets;

#endif /* NDB_SERVER_SRV_INT_H */

#!/usr/bin/env bash
# Creates deploy/secrets/* with random passwords for the compose stack (once; existing files are kept).
set -euo pipefail
cd "$(dirname "$0")/secrets"
umask 077
rand() { head -c 24 /dev/urandom | base64 | tr -d '/+=' ; }
[ -f postgres_password ] || rand > postgres_password
[ -f redis_password ] || rand > redis_password
[ -f minio_password ] || rand > minio_password
[ -f Database__ConnectionString ] || printf 'Host=postgres;Database=teacherplatform;Username=app;Password=%s' "$(cat postgres_password)" > Database__ConnectionString
[ -f Cache__Redis ] || printf 'redis:6379,password=%s' "$(cat redis_password)" > Cache__Redis
[ -f Storage__S3__AccessKey ] || printf 'teacherplatform' > Storage__S3__AccessKey
[ -f Storage__S3__SecretKey ] || cp minio_password Storage__S3__SecretKey
echo "secrets ready in $(pwd)"

// The --db URL of `cardline demo` and `cardline bench` (mes/app/db_url.h).
#include "mes/app/db_url.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace cardline::app {
namespace {

using ::testing::HasSubstr;

TEST(DbUrlTest, ParsesUserHostPortAndSchema) {
  auto url = parseMysqlUrl("mysql://cardline@127.0.0.1:52897/cardline_test");
  ASSERT_TRUE(url.isOk()) << url.status().message();
  EXPECT_EQ(url->user, "cardline");
  EXPECT_EQ(url->host, "127.0.0.1");
  EXPECT_EQ(url->port, 52897);
  EXPECT_EQ(url->schema, "cardline_test");
}

TEST(DbUrlTest, PortDefaultsTo3306) {
  auto url = parseMysqlUrl("mysql://me@db.factory.local/mes");
  ASSERT_TRUE(url.isOk()) << url.status().message();
  EXPECT_EQ(url->host, "db.factory.local");
  EXPECT_EQ(url->port, 3306);
}

struct BadUrl {
  const char* url;
  const char* complaint;
};

class BadDbUrlTest : public ::testing::TestWithParam<BadUrl> {};

TEST_P(BadDbUrlTest, IsRefusedNamingWhatIsWrong) {
  Config config;
  const Config before = config;
  Status s = applyDatabaseUrl(GetParam().url, "", &config);
  EXPECT_EQ(s.code(), ErrorCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr(GetParam().complaint));
  EXPECT_THAT(s.message(), HasSubstr("mysql://USER@HOST:PORT/SCHEMA"));
  EXPECT_EQ(config.database.backend, before.database.backend);
  EXPECT_EQ(config.database.mysql.url, before.database.mysql.url);
}

INSTANTIATE_TEST_SUITE_P(
    Urls, BadDbUrlTest,
    ::testing::Values(BadUrl{"postgres://u@h:5432/s", "unsupported scheme \"postgres\""},
                      BadUrl{"mariadb", "not a database URL"},
                      BadUrl{"mysql://127.0.0.1:3306/s", "no user"},
                      BadUrl{"mysql://@127.0.0.1:3306/s", "user before @ is empty"},
                      BadUrl{"mysql://u:secret@127.0.0.1:3306/s", "must not contain the password"},
                      BadUrl{"mysql://u@127.0.0.1:3306", "no schema"},
                      BadUrl{"mysql://u@127.0.0.1:3306/", "schema after / is empty"},
                      BadUrl{"mysql://u@127.0.0.1:33o6/s", "port \"33o6\" is not a number"},
                      BadUrl{"mysql://u@127.0.0.1:70000/s", "outside 1..65535"},
                      BadUrl{"mysql://u@127.0.0.1:/s", "port \"\" is invalid"},
                      BadUrl{"mysql://u@:3306/s", "no host"},
                      BadUrl{"mysql://u@h/a-b", "not a plain identifier"},
                      BadUrl{"mysql://u@h/s?ssl=1", "not a plain identifier"}));

TEST(DbUrlTest, MysqlUrlFillsTheConfigurationsDatabaseSection) {
  Config config;
  ASSERT_TRUE(applyDatabaseUrl("mysql://line@10.0.0.5:3307/mes_a", "", &config).isOk());
  EXPECT_EQ(config.database.backend, DatabaseBackend::kMysql);
  EXPECT_EQ(config.database.mysql.url, "tcp://10.0.0.5:3307");
  EXPECT_EQ(config.database.mysql.user, "line");
  EXPECT_EQ(config.database.mysql.schema, "mes_a");
  EXPECT_EQ(config.database.mysql.password_file, "");
  EXPECT_EQ(config.database.mysql.password_env, "CARDLINE_DB_PASSWORD");
  EXPECT_EQ(describeDatabase(config), "mysql://line@10.0.0.5:3307/mes_a");
}

TEST(DbUrlTest, PasswordFileIsKeptForMysql) {
  Config config;
  ASSERT_TRUE(applyDatabaseUrl("mysql://line@h:1/s", "/etc/cardline/pw", &config).isOk());
  EXPECT_EQ(config.database.mysql.password_file, "/etc/cardline/pw");
}

TEST(DbUrlTest, SqliteSelectsTheEmbeddedDatabaseAndRefusesAPasswordFile) {
  Config config;
  config.database.backend = DatabaseBackend::kMysql;
  ASSERT_TRUE(applyDatabaseUrl("sqlite", "", &config).isOk());
  EXPECT_EQ(config.database.backend, DatabaseBackend::kSqlite);
  EXPECT_EQ(describeDatabase(config), "sqlite");
  Status s = applyDatabaseUrl("sqlite", "/tmp/pw", &config);
  EXPECT_EQ(s.code(), ErrorCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("--db-password-file"));
}

}  // namespace
}  // namespace cardline::app

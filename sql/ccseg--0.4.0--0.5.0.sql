/* ccseg 0.4.0 -> 0.5.0.  Each change below is made identically in
 * ccseg--0.5.0.sql, the complete script of this version;
 * test/integration/upgrade.sh compares the two paths object by object. */

\echo Use "ALTER EXTENSION ccseg UPDATE TO '0.5.0'" to load this file. \quit

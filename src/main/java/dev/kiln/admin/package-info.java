/**
 * Admin: the operator's reports that span features (costs against revenue). Each feature serves its own
 * admin lists (users, generations, payments); this module only combines their public read APIs.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Admin")
package dev.kiln.admin;
